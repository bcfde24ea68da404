"""Starting ``iamdesk`` fast: a per-user fork server that has already imported the command line.

Importing SQLAlchemy, SQLModel, the table modules and botocore's models takes longer than the
AWS CLI takes to answer a whole command, so no trimming inside one process can make a command
start as fast. A background process that has imported all of it once forks a child per command
instead (the pattern of Rails' Spring, Android's zygote and multiprocessing's forkserver):

- ``client``: the ``iamdesk`` console script; stdlib only, decides in a few ms whether a
  command goes to the server, and relays the child's exit status and the signals it receives;
- ``place``: where the server's socket lives and the fingerprint that names it (a changed
  interpreter, iamdesk source or installed package means a new server);
- ``wire``: the messages on the socket;
- ``spawn``: starting a server detached from the terminal;
- ``server``: the accept loop, forking and reaping (one server for the command line, one for
  the app with Qt loaded but no QApplication); ``child``: what a forked child does to become
  the client's command (its fds, cwd, environment, limits), then runs ``cli.main``;
- ``command``: ``iamdesk fork-server status|start|stop``.

Everything here but ``server``, ``child`` and ``command`` imports only the standard library.
"""
