"""course_lib.grading"""
