"""geo/core"""
