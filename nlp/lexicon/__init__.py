"""Hand-written domain vocabulary: products, services, sellers, complaint cues."""
