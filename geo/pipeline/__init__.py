"""geo/pipeline"""
