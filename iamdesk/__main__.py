from iamdesk.cli.main import main

raise SystemExit(main())
