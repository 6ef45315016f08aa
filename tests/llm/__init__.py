"""Tests of the provider layer: wrappers, structured output, redaction and the scripted provider."""
