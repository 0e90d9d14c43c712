# Vault Agent on a node: renders the domain's key set from the KV v2 secret
# secret/eesp/lab and hands it to eesp-keydir-write, which swaps it into the
# key directory eespd reads (key_dir = "/etc/eespd/lab.keys.d").  See
# README.md here.  Run as root (the writer gives the files to the daemon
# user):  vault agent -config=/etc/vault-agent/eesp.hcl
#
# One template renders the whole set into one file (the agent writes it
# with a rename), and the exec step imports that file whole: a set split
# over several templates would reach eespd one file at a time.
# tests/integration/54_key_dir_writers.sh renders eesp-lab.set.ctmpl and
# runs this exec command on the result; Vault itself is not run there.

pid_file = "/run/eesp-vault-agent.pid"

vault {
  address = "https://vault.example.com:8200"
  ca_cert = "/etc/vault-agent/ca.pem"
}

auto_auth {
  method "approle" {
    config = {
      role_id_file_path                   = "/etc/vault-agent/role-id"
      secret_id_file_path                 = "/etc/vault-agent/secret-id"
      remove_secret_id_file_after_reading = false
    }
  }
}

template_config {
  # KV secrets are not leased: re-read them this often to see a new version
  static_secret_render_interval = "1m"
  exit_on_retry_failure         = true
}

template {
  source      = "/etc/vault-agent/eesp-lab.set.ctmpl"
  destination = "/run/eespd/lab.set"
  perms       = "0600"
  exec {
    command = ["/usr/local/sbin/eesp-keydir-write", "/etc/eespd/lab.keys.d", "/run/eespd/lab.set"]
    timeout = "30s"
  }
}
