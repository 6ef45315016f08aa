"""The chat assistant: sessions with bounded history, streamed replies, the FAQ first and a model second."""
