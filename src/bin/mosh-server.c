/* mosh-server: program entry point only; the work lives in the layers below. */
#include "stub.h"

int main(int argc, char **argv)
{
	return stub_main(argc, argv, "mosh-server",
	                 "mosh-server new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "
	                 "[-l NAME=VALUE] [-- COMMAND...]");
}
