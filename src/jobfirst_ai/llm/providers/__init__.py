"""Model backends over HTTP: the OpenAI-compatible base, thin vendor modules, Ollama, registry."""
