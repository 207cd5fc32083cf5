"""Attribution: who said what. The learned tagger marks content, cue and source spans in each
sentence from the encoder's token states; the rules (``quotetrace.corpus.quotes``,
``quotetrace.corpus.speakers``) find quotes and resolve speakers within an article."""
