# Mounts left under the stack's directories (FUSE mounts of jobs, for example) are
# unmounted by `down`, deepest first. Sourced by hpcs-cluster.

stack_mounts() {
  awk '{ print $5 }' /proc/self/mountinfo |
    grep -E "^($HPCS_STATE_DIR|$HPCS_RUN_DIR)(/|\$)" | sort -r || true
}

mounts_down() {
  local mountpoint
  while read -r mountpoint; do
    [[ -n $mountpoint ]] || continue
    info "unmounting $mountpoint"
    umount "$mountpoint" 2>/dev/null || fusermount3 -u "$mountpoint" 2>/dev/null ||
      umount -l "$mountpoint" || echo "hpcs-cluster: warning: could not unmount $mountpoint" >&2
  done < <(stack_mounts)
}
