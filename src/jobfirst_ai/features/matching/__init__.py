"""Job matching: postings, the match index, scoring, explanations and gap analysis."""
