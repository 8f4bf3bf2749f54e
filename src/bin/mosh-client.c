/* mosh-client: program entry point only; the work lives in the layers below. */
#include "stub.h"

int main(int argc, char **argv)
{
	return stub_main(argc, argv, "mosh-client", "mosh-client [-# ARGS] IP PORT");
}
