/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugin.c - the entry point of eesp.so: the four symbols libwsutil looks up
 * by name (the only ones the plugin exports; see packet-eesp.h), and one
 * proto_plugin per protocol, as Wireshark's generated plugin.c files do.
 */

#include "packet-eesp-ike.h"
#include "packet-eesp.h"
#include "../src/core/version.h"

/* Wireshark shows plugin versions as major.minor.micro */
#define EESP_PLUGIN_VERSION EESP_RELEASE ".0"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = EESP_PLUGIN_VERSION;
/* Wireshark refuses a plugin built for another major.minor */
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
	/* static: Wireshark keeps the pointers.  The order does not matter:
	 * PSP reads the keys of the eesp preferences only when it dissects. */
	static proto_plugin eesp = {.register_protoinfo = proto_register_eesp,
				    .register_handoff = proto_reg_handoff_eesp};
	static proto_plugin psp = {.register_protoinfo = proto_register_psp,
				   .register_handoff = proto_reg_handoff_psp};
	static proto_plugin ike = {.register_protoinfo = proto_register_eesp_ike,
				   .register_handoff = proto_reg_handoff_eesp_ike};

	proto_register_plugin(&eesp);
	proto_register_plugin(&psp);
	proto_register_plugin(&ike);
}
