"""diffinsight's core: sources, GitHub, the diff model, summarizers, rendering, cache, jobs."""
