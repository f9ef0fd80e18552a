"""Reading a change: a Source becomes a Change, from GitHub's REST API or a local git repository."""
