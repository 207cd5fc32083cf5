"""Attribution: who said what. Quotes are found by rules and by a learned tagger, and their speakers
resolved to people, first within an article, then across the corpus.

- the quote stage (``quotes``) runs the rules (``rules``: direct, indirect, mixed and block quotes
  by cue; with ``marks`` for quotation marks, ``tokens`` for words and names in them, ``mentions``
  for the speaker as written, ``clauses`` for where reported speech starts and ends), then
  resolves speakers in each article (``in_article``, over the ``people`` the article names and the
  ``organisations`` and documents that speak);
- the learned pass (``stage``) adds the quotes the rules missed: the tagger (``tagger``) marks
  content, cue and source spans from the encoder's token states, ``learned`` turns them into quotes;
- ``identity`` groups the resolved names into the corpus-wide speakers;
- ``records`` (Quote, Person) and ``names`` (names across spellings) are what they all share.
"""
