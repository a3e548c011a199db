"""Pure data of veilleur: posts, labels, organisation. No I/O; imports only the standard library and pydantic."""
