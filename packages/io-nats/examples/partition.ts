// Scale-out layout for N processes that must each see whole correlation groups: the nats-server account mapping
// that hashes `<prefix>.<key>` onto N partitions, and the filter subject each process consumes. No server needed.
import { partitionSubjects } from '@tsigma/io-nats';

const layout = partitionSubjects('logins', 2);
console.log(layout.mappingConfig); // paste into the nats-server config (inside the account, with named accounts)
console.log(layout.filterSubjects.join(' ')); // process i consumes filterSubjects[i] with its own durable
