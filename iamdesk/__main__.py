from iamdesk.launch.client import main

raise SystemExit(main())
