// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vectors.c - `eespctl vectors`: waits for the core's vectors.h
 * (eesp_vectors_generate); until it lands this subcommand reports that it
 * is unavailable and fails.
 */
#include "eespctl.h"

int vectors_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	err("vectors: not available in this build (the core has no eesp_vectors_generate yet)");
	return 1;
}
