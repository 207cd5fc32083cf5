"""quotetrace align: multilingual embeddings, quote links and clusters (translation links: later), and the
`quotetrace` command line, which lives here because align is the top layer: it may drive both
corpus and align stages, while corpus never imports align."""
