# Unix users of the test cluster (alice, bob). Sourced by hpcs-cluster.

users_up() {
  local user
  for user in "${CLUSTER_USERS[@]}"; do
    if ! id -u "$user" >/dev/null 2>&1; then
      info "creating Unix user $user"
      useradd --create-home --shell /bin/bash --comment "HPCS test user" "$user"
    fi
    install -d -m 0700 -o "$user" -g "$(id -gn "$user")" "$(getent passwd "$user" | cut -d: -f6)"
    # With UsePAM no, sshd refuses accounts whose password field starts with "!" (locked);
    # "*" means "no password" and still allows key login.
    if [[ $(getent shadow "$user" | cut -d: -f2) == '!'* ]]; then
      usermod -p '*' "$user"
    fi
  done
}

users_status() {
  local user rc=0
  for user in "${CLUSTER_USERS[@]}"; do
    report_check "user $user" "Unix user" id -u "$user" || rc=1
  done
  return "$rc"
}
