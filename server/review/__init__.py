"""Review by exception and the QA decision (release or rejection) on a batch."""
