"""Speaking to the headset: offline recognition of the headset's vocabulary (pocketsphinx).

`numbers` turns spoken numbers into digits and back, `grammar` builds what may be said at the
active step and turns what was heard into a command line, `dialogue` reads it back and waits
for "confirm" or "cancel", `audio` cuts a recording or the microphone into utterances and
`recogniser` decodes them; `listener` runs it all against an operator.
"""
