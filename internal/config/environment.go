package config

// EnvironmentHelp is `maketoken help environment`: the variables this
// package reads (MAKETOKEN_<KEY> for each setting of the config file, the
// zone's variables), and those internal/credentials reads. It sits beside
// Load so that a new setting is documented where it is read (a test holds
// the two together).
const EnvironmentHelp = `Credentials (for zone Z, the first one found wins):

  MAKETOKEN_TOKEN_<ZONE>  the credential of one zone: the zone's name
                          upper-cased, "-" as "_" (MAKETOKEN_TOKEN_EU1,
                          MAKETOKEN_TOKEN_CELONIS_US1)
  MAKE_API_KEY            a credential, as Make's own tools read it: used only
                          for the zone MAKE_ZONE names (or one chosen with -z),
                          never for a default zone nor for --all-zones
  then the credential of the zone's active account (or of --user EMAIL's),
  in the store login put it in: the OS keyring, the Linux kernel keyring,
  or the file of login --store file. The two variables override every
  stored account; --user together with one of them is exit 2.

Settings (a flag wins over the environment, the environment over the config
file):

  MAKETOKEN_ZONE          the zone to use (as -z)
  MAKE_ZONE               the zone, as Make's own tools name it (a host such
                          as eu1.make.com); used when MAKETOKEN_ZONE is unset.
                          A host no zone has is a private instance at
                          https://HOST/api/v2
  MAKETOKEN_CONFIG        the config file (as --config); default
                          $XDG_CONFIG_HOME/maketoken/config.yaml
  MAKETOKEN_OUTPUT        table, tsv or json (as -o)
  MAKETOKEN_TIMEOUT       time limit of a command (as --timeout)
  MAKETOKEN_KEYRING_TIMEOUT  time limit of one keyring call (default 10s)
  MAKETOKEN_CREDENTIAL_STORE  where login stores (as login --store): keyring,
                          kernel or file; default: the OS keyring, or on
                          Linux without a Secret Service the kernel keyring
  MAKETOKEN_DEBUG         trace HTTP on stderr, secrets redacted (as --debug)
  MAKETOKEN_CREDENTIALS_FILE  the file login --store file writes
  MAKETOKEN_ROTATE_AFTER  credential age past which status suggests
                          rotate --self (default 90d; off: never)

At a terminal:

  NO_COLOR                set to anything: no colour
  CLICOLOR=0              no colour
  CLICOLOR_FORCE          set (not 0): colour even without a terminal
  TERM=dumb               no colour
  COLUMNS                 the width tables fit, when stdout is a terminal

maketoken exec sets MAKE_API_KEY and MAKE_ZONE (the zone's host) for the
command it runs. With --ephemeral, MAKE_API_KEY is a token made for that run,
and the command's environment holds no MAKETOKEN_TOKEN_* variable and no
other variable whose value holds the zone's credential.`
