"""The model summarizer: prompts, batching within budgets, calls, checks and the per-file cache."""
