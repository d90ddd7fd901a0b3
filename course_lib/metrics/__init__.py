"""course_lib.metrics"""
