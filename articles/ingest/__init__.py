"""Stories from outside: one reader per format, one shared writer.

- wiretext.py, ninjs*.py, wordpress*.py: the readers, pure (bytes in, records out);
  wordpress_body.py converts a post's body, wordpress_xml.py reads the export's XML.
- *_stories.py: what each record asks of its story (which story it is, its fields, its state).
- writer.py: the writing every importer shares, through the publishing door; files.py,
  markup.py and progress.py: what the readers and commands share besides.
"""
