"""course_lib.reference"""
