"""Thin handlers: check policy and input, call the store, render."""
