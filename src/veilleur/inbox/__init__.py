"""The inbox room: the social customer-care « SAV » (cases, routing, SLAs, knowledge base, replies)."""
