"""geo/render"""
