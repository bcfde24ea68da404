"""One AWS-CLI front end for every ``iamdesk <service>`` command, driven by botocore's models.

``globals`` splits the AWS CLI's global options out of the command line, ``model`` loads the one
service model a command needs, ``arguments`` turns the operation's input shape into options and
decoded parameters, ``paging`` pages as the CLI does, ``output`` prints json/text/table/yaml and
``runner`` ties them to a service's command table.
"""
