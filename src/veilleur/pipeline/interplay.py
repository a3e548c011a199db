"""The second reading of the topics of a post about a bank: each topic's decision also weighs what
the other topics scored.

The twelve topic heads are independent sigmoids, each blind to the others, and each confident
beyond what it knows: trained on the whole training split, a head gives its own training posts
scores near 0 or 1. The interplay head is a small logistic regression per topic over every
topic's first score, read as a log-odds ``z`` and as ``max(z, 0)``, trained on the first scores
that cross-validation gives the training split's posts about a bank (stacking, Wolpert 1992), so
on scores like those of posts the first heads have never seen. What it learnt
(``training.interplay_head``): a confident first score counts for less than its log-odds say, and
a topic that is clearly there lowers the others (a post rarely carries many topics: a clear
`csr_sponsorship` lowers `accounts_fees` and `jobs`, a clear `branch_advisor` lowers
`customer_service`). The second part, ``max(z, 0)``, is what lets a topic that is clearly there
count otherwise than one that is clearly absent: with ``z`` alone the second reading gained
nothing under cross-validation.

Posts about no bank keep the decision of their own first head (``topics_general``): read a second
time, everyday posts that use banking words in another sense ("carte grise", "frais de port")
got a topic more often, not less.

The topics stage uses it when the bundle has a ``topics_interplay`` head; bundles without one
decide on the first scores, as before. Imports numpy only.
"""
from __future__ import annotations

import numpy as np

HEAD_SUFFIX = "_interplay"
CLIP = 1e-6  # log-odds stay within ±13.8: a score of exactly 0 or 1 (a constant head) stays finite


def interplay_features(probabilities: np.ndarray) -> np.ndarray:
    """First topic scores (n × topics) → the interplay head's input (n × 2·topics): [z | max(z, 0)]."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), CLIP, 1.0 - CLIP)
    z = np.log(p) - np.log1p(-p)
    return np.hstack([z, np.maximum(z, 0.0)])
