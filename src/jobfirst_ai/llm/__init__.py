"""Provider layer: one small contract (complete, stream) and wrappers that compose around it.

Knows nothing of resumes: features build the prompts, this layer moves them to a model and back.
"""
