"""The tiny knowledge base many tests index: two policy files small enough to read in a test failure."""

TINY_POLICY = """---
title: Escrow basics
kind: policy
topic: escrow
urls:
  - https://support.example.invalid/escrow
as_of: 2026-11-20
---
# 1. Escrow basics

## 1.1 Funding a milestone
<!-- facts: F01, F02 -->
The client must fund a milestone into escrow before the freelancer starts. Each milestone must be at least $5.
Unfunded work is not protected by Fixed-Price Protection.

## 1.2 The review period
<!-- facts: F06 | url: https://support.example.invalid/review -->
After the freelancer submits work, the client has 14 days to review it. If the client does nothing for 14 days,
the escrow is released automatically.
"""

TINY_ARBITRATION = """---
title: Arbitration fees
kind: policy
topic: arbitration
urls: [https://support.example.invalid/arbitration]
as_of: 2026-11-20
---
# 2. Arbitration fees

## 2.1 Who pays for arbitration
<!-- facts: F27, F26 -->
The arbitration fee is split between the freelancer and the client, and no current dollar figure is published.
Older forum threads quote $291 paid by each party, which is outdated.
"""

# the escrow file without its review-period section (a change that breaks the review questions)
ESCROW_WITHOUT_REVIEW = TINY_POLICY.split("\n\n## 1.2", 1)[0] + "\n"

# A third policy file, for tests that add a file to an indexed tiny base.
TINY_CHARGEBACKS = """---
title: Chargebacks
kind: policy
as_of: 2026-11-20
---
# 8. Chargebacks

## 8.1 What a chargeback is
<!-- facts: F70 -->
A chargeback is a payment reversal the client requests from their bank or card issuer.
"""
