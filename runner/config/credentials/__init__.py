"""Where the password comes from, and keeping it out of sight (the process title, files, output)."""
