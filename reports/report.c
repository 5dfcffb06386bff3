/* PLACEHOLDER: replaced by the module that owns this command. */
#include <stdio.h>
#include "commands.h"
int cmd_report(int argc, char **argv) { (void)argc; fprintf(stderr, "starkbench: %s is not built yet\n", argv[0]); return 2; }
