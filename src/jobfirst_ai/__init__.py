"""JobFirst AI service: resume analysis, matching, interviews and chat with a built-in offline engine."""

__version__ = "0.1.0"
