"""Interview preparation: typed questions for a resume and a job, and graded mock interview sessions."""
