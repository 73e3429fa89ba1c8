"""Code that runs inside the learner's kernel: it calls learner functions and holds no reference."""
