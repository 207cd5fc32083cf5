"""quotetrace's align stages: multilingual embeddings, quote links and clusters, article links
(translations, copies) with their sentence alignment, and glosses; ``executors`` decides where
the heavy steps run (here or on Ray), apart from the algorithms. ``stage`` chains them over a
snapshot. Align reads what corpus wrote; corpus never imports align."""
