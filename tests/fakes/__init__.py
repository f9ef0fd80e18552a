"""Local HTTP servers standing in for Slack, GitHub and OpenAI in tests (real sockets)."""
