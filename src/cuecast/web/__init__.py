"""The phone companion (``cuecast serve``): pick, customise, render and play from a phone on
the local network, plus a podcast feed of the rendered sessions."""
