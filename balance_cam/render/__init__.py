"""What people see: overlay annotators, the annotated video, plots, HTML reports, console output.

To add an output people look at, add a module here and call it from the app that has the result.
"""
