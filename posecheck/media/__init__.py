"""Media: frames from files and cameras with their real times and upright pixels, and encoding.

The lowest wing: it imports nothing of posecheck's but the errors and the output-safety helpers.
"""
