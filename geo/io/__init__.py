"""geo/io"""
