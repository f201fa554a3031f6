"""Learning progress: lesson marks, course completion per year, and the quiz grade that
completes a course. Pages (``learn``), quizzes, compliance and the content command read and
refresh progress only through this package."""
