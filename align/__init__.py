"""quotetrace align: multilingual embeddings, quote and translation links (later issues), and the
`quotetrace` command line, which lives here because align is the top layer: it may drive both
corpus and align stages, while corpus never imports align."""
