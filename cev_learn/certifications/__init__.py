"""Certifications: certificates reps earn by meeting what a track's certification requires,
valid for a set time, renewed before they expire."""
