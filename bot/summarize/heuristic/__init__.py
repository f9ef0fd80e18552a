"""The deterministic summarizer: fact finders per kind of file, ranked into a report's words."""
